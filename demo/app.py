"""The SignSparK browser demo (Gradio 6 Blocks).

Five tabs, each with its API endpoints:

* **Text to sign** (``/text_to_sign``): text + sign language -> mp4 (streamed to the page
  while it renders), a 3D Gaussian avatar frame (.ply), an animated 3D model (.glb), a
  timeline of segments and keyframes, downloads.
* **Keyframes to sign** (``/keyframes_to_sign``): uploaded or lexicon keyframes,
  moved / dropped / inserted in a table -> KF2P video with keyframes highlighted.
* **Video to sign** (``/video_to_sign``): an uploaded or webcam video -> capture (MediaPipe,
  SMPL-X + MANO fit) -> the avatar signs it beside the video, FAST segments and keyframes,
  .npz / .pose / .eaf downloads, keyframes sent to the tab above (:mod:`demo.video_to_sign`).
* **Fingerspelling practice** (``/practice_new``, ``/practice_check``): the avatar
  fingerspells a word, the learner types it and gets letter-by-letter feedback.
* **Segment** (``/segment``): a PoseSequence or an LMDB clip -> FAST tags over
  time, the segments, an ELAN file.

Text to sign, Keyframes to sign and the practice show their videos in the learning player
(:mod:`demo.player`): speed 0.25x-1x, loop, replay with a slower second pass, frame steps,
and the sign or letter being made highlighted in the text.

The app holds no model logic: every handler in :mod:`demo.handlers` calls the
``signspark`` library. Start it with ``signspark demo`` (or ``python -m demo``); ``--help``
lists the launch options (:mod:`demo.command`).
"""

from __future__ import annotations

import logging
import threading
import time

import gradio as gr

from demo import handlers as H
from demo.errors import GuardedBlocks, exception_handlers
from demo.models import ModelMenu
from demo.player import connect, learning_player
from demo.video_to_sign import video_to_sign_tab
from signspark.signs.languages import LANGUAGES

try:  # ZeroGPU on Hugging Face Spaces; a no-op decorator everywhere else
    import spaces

    gpu = spaces.GPU(duration=120)
except ImportError:  # pragma: no cover - spaces is in requirements.txt
    def gpu(fn):
        return fn

LANGUAGE_CHOICES = [(lang.label, code) for code, lang in LANGUAGES.items()]
VIEW_CHOICES = [("Front", "front"), ("Three-quarter", "three_quarter"), ("Side (profile)", "side"),
                ("Hands and face close-up", "hands")]
LEFT_HANDED_INFO = "the left hand signs: the pose is mirrored (never the video)"
BACKEND_CHOICES = [("Best available", "auto"), ("Gaussian splats (GPU)", "gsplat"), ("OpenGL", "gl"),
                   ("PyTorch splats", "torch"), ("Skeleton", "skeleton")]
TEXT_EXAMPLES = [[text, code] for code, lang in LANGUAGES.items() for text in lang.examples]
INTRO = """# SignSparK
Spoken-language text to 3D signing. With the **built-in** model, German text in Swiss German Sign Language (DSGS)
is signed with the lexical signs of a HamNoSys lexicon, and unknown words are fingerspelled; ASL, BSL, DGS and CSL
are fingerspelled in their manual alphabets. Its motion is synthesised from notation and alphabet descriptions,
not learned from recordings of human signers. The official SignSparK models (non-commercial licence, GPU
recommended) can be picked under *Model*."""


def _model_box(default: str) -> gr.Dropdown:
    """The model menu: the server's choices (:func:`demo.handlers.model_choices`); typing is allowed with --any-model."""
    menu = H.model_menu()
    choices = menu.choices() + ([default] if default not in menu.choices() else [])
    info = ("built-in, official (SignSparK from the Hub), or any Hub repo id / local folder" if menu.any_model else
            "built-in, official (SignSparK from the Hub)" + (", or a model of this server" if menu.folders else ""))
    return gr.Dropdown(choices=choices, value=default, allow_custom_value=menu.any_model, label="Model", info=info)


def _sampling_controls(prefix: str):
    with gr.Row():
        steps = gr.Slider(1, 50, value=8, step=1, label="Sampling steps", elem_id=f"{prefix}steps_in")
        guidance = gr.Slider(0.0, 5.0, value=H.DEFAULT_GUIDANCE, step=0.1, label="Guidance", elem_id=f"{prefix}guidance_in")
        seed = gr.Number(value=0, precision=0, label="Seed", elem_id=f"{prefix}seed_in")
    return steps, guidance, seed


def _view_controls(prefix: str):
    with gr.Row():
        view = gr.Dropdown(VIEW_CHOICES, value="front", label="View", elem_id=f"{prefix}view_in")
        backend = gr.Dropdown(BACKEND_CHOICES, value="auto", label="Renderer", elem_id=f"{prefix}backend_in")
    left = gr.Checkbox(value=False, label="Left-handed signer", info=LEFT_HANDED_INFO, elem_id=f"{prefix}left_in")
    return view, backend, left


def _hidden_outputs(prefix: str, chunks: bool):
    """The values the learning player reads: the finished mp4 (also an API output), the clip's timing,
    and (streamed) the video's pieces. Kept in the page but not shown."""
    video = gr.Video(label="Finished video", elem_id=f"{prefix}video_out", autoplay=False, visible="hidden")
    info = gr.JSON(label="Timing of the signs", elem_id=f"{prefix}info_out", visible="hidden")
    pieces = gr.File(label="Video pieces", file_count="multiple", elem_id=f"{prefix}chunks_out",
                     visible="hidden") if chunks else None
    return video, info, pieces


def build_demo(default_model: str | None = None, allow_models=(), any_model: bool = False) -> gr.Blocks:
    """Build the Blocks app (not launched); it sets the server's model menu (:func:`demo.handlers.set_model_menu`).

    Args:
        default_model: the model menu's initial choice: ``"built-in"`` (default), ``"official"``,
            a local model folder (added to the menu) or, with ``any_model``, a Hub repo id.
        allow_models: model folders visitors may choose besides built-in and official.
        any_model: let visitors type any Hub repo id or folder of the server (local, trusted use).
    """
    menu, default_model = ModelMenu.for_launch(allow_models, any_model, default_model)
    H.set_model_menu(menu)
    with GuardedBlocks(title="SignSparK", delete_cache=(1800, 3600)) as demo:
        gr.Markdown(INTRO)
        with gr.Tab("Text to sign", id="t2s"):
            with gr.Row():
                with gr.Column(scale=1):
                    text = gr.Textbox(label="Text", placeholder="hello", max_lines=3, elem_id="text_in",
                                      info=f"up to {H.MAX_TEXT_CHARS} characters")
                    language = gr.Dropdown(LANGUAGE_CHOICES, value="ASL", label="Sign language", elem_id="lang_in")
                    model = _model_box(default_model)
                    motion = gr.Radio(
                        [("the model's default", "default"), ("the lexicon's motion", "lexicon"),
                         ("generated by the model", "generated")], value="default", label="Motion", elem_id="motion_in",
                        info="what the signs looked up in the lexicon become; the built-in model's default is the "
                             "lexicon's motion (its generator does not follow lexical signs well yet)")
                    steps, guidance, seed = _sampling_controls("")
                    speed = gr.Slider(0.5, 2.0, value=1.0, step=0.05, label="Signing speed", elem_id="speed_in")
                    view, backend, left = _view_controls("")
                    ply_frame = gr.Number(value=-1, precision=0, label="3D frame (-1: middle)")
                    with gr.Accordion("Signs in notation (HamNoSys or SiGML)", open=False):
                        notation = gr.Textbox(
                            label="HamNoSys or SiGML", lines=3, elem_id="notation_in",
                            placeholder="KIND: hamflathand hamthumboutmod hamextfingero hampalmd hamchest hammoved",
                            info="one sign per line, 'GLOSS: notation' (HamNoSys characters or symbol names), or a "
                                 "SiGML document; when given, these signs are signed in order in any language")
                        sigml_file = gr.File(label="…or a SiGML file", file_types=[".sigml", ".xml"], type="filepath")
                        sigml_file.upload(H.read_notation_file, inputs=sigml_file, outputs=notation, api_name=False)
                    go = gr.Button("Generate", variant="primary", elem_id="generate_btn")
                with gr.Column(scale=2):
                    learning_player("t2s", "player_out")
                    status = gr.Textbox(label="Status", interactive=False, elem_id="status_out")
                    timeline = gr.Plot(label="Segments and keyframes", elem_id="timeline_out")
                    files = gr.File(label="Downloads", file_count="multiple", interactive=False, elem_id="files_out")
                    with gr.Accordion("3D views", open=True, elem_id="views_3d"):
                        gr.Markdown("The 3D viewers draw in the browser without stopping; on a laptop without a "
                                    "graphics card that takes a processor core, so they open on request.")
                        show_3d = gr.Button("Show in 3D", elem_id="show_3d_btn", size="sm")
                        with gr.Row():
                            avatar = gr.Model3D(label="3D Gaussian avatar (one frame)",
                                                clear_color=(1.0, 1.0, 1.0, 1.0), height=360, elem_id="avatar_out")
                            glb = gr.Model3D(label="Animated 3D model (.glb)", clear_color=(1.0, 1.0, 1.0, 1.0),
                                             height=360, camera_position=(90, 90, 2.5), elem_id="glb_out")
                    video, info, pieces = _hidden_outputs("", chunks=True)
                    ply = gr.File(label="3D avatar frame (.ply)", elem_id="ply_out", visible="hidden")
            gr.Examples(TEXT_EXAMPLES, inputs=[text, language])
            go.click(gpu(H.text_to_sign),
                     inputs=[text, language, model, steps, guidance, seed, speed, view, backend, ply_frame, left,
                             notation, motion],
                     outputs=[video, ply, timeline, files, status, info, pieces], api_name="text_to_sign",
                     show_progress="minimal")
            go.click(H.clear_3d_views, outputs=[avatar, glb], queue=False, api_name=False)  # frees the CPU
            show_3d.click(H.show_3d_views, inputs=[ply, files], outputs=[avatar, glb], api_name=False)
            connect("t2s", info=info, chunks=pieces, video=video)

        with gr.Tab("Keyframes to sign", id="kf2s"):
            gr.Markdown(
                "Hold poses at chosen frames and let the model fill in the motion. Upload keyframes "
                "(a PoseSequence `.npz`, or JSON — see the README) or spell a word from the alphabet lexicon, "
                "then edit the table: change a **frame** to move a keyframe, delete a row to drop it, "
                "add a row with a **source** (`file:N` for frame N of the upload, or a letter such as `lexicon:A`) "
                "to insert one.")
            with gr.Row():
                with gr.Column(scale=1):
                    kf_file = gr.File(label="Keyframes (.npz or .json)", file_types=[".npz", ".json"],
                                      type="filepath", elem_id="kf_file")
                    kf_word = gr.Textbox(label="…or spell from the lexicon", placeholder="hello", elem_id="kf_word")
                    kf_language = gr.Dropdown(LANGUAGE_CHOICES, value="ASL", label="Sign language")
                    load = gr.Button("Load keyframes", elem_id="kf_load_btn")
                    table = gr.Dataframe(headers=["frame", "source"], datatype=["number", "str"], type="array",
                                         interactive=True, label="Keyframes", elem_id="kf_table")
                    kf_frames = gr.Number(value=0, precision=0, label="Total frames (0: keep)")
                    kf_model = _model_box(default_model)
                    kf_steps, kf_guidance, kf_seed = _sampling_controls("kf_")
                    kf_view, kf_backend, kf_left = _view_controls("kf_")
                    kf_go = gr.Button("Render", variant="primary", elem_id="kf_render_btn")
                with gr.Column(scale=2):
                    gr.Markdown("Keyframes are outlined in red.")
                    learning_player("kf2s", "kf_player_out")
                    kf_status = gr.Textbox(label="Status", interactive=False, elem_id="kf_status_out")
                    kf_timeline = gr.Plot(label="Keyframes")
                    kf_files = gr.File(label="Downloads", file_count="multiple", interactive=False,
                                       elem_id="kf_files_out")
                    kf_video, kf_info, _ = _hidden_outputs("kf_", chunks=False)
            load.click(H.load_keyframes, inputs=[kf_file, kf_word, kf_language],
                       outputs=[table, kf_frames, kf_status], api_name="load_keyframes")
            kf_go.click(gpu(H.keyframes_to_sign),
                        inputs=[kf_file, kf_word, kf_language, table, kf_frames, kf_model, kf_steps, kf_guidance,
                                kf_seed, kf_view, kf_backend, kf_left],
                        outputs=[kf_video, kf_timeline, kf_files, kf_status, kf_info], api_name="keyframes_to_sign")
            connect("kf2s", info=kf_info, video=kf_video)

        video_to_sign_tab(views=VIEW_CHOICES, backends=BACKEND_CHOICES, gpu=gpu,
                          keyframes=(kf_file, table, kf_frames, kf_status))

        with gr.Tab("Fingerspelling practice", id="practice"):
            gr.Markdown(
                "Read fingerspelling: the avatar spells a word from the chosen language's word list (no caption). "
                "Slow it down, loop it or step through it frame by frame, then type what you read and press "
                "**Check** for letter-by-letter feedback. Scores are kept for this session only.")
            practice_state = gr.State(H.new_practice_state())
            with gr.Row():
                with gr.Column(scale=1):
                    p_language = gr.Dropdown(LANGUAGE_CHOICES, value="ASL", label="Sign language",
                                             elem_id="practice_lang_in")
                    p_length = gr.Radio([(label, key) for key, label in H.PRACTICE_LENGTHS.items()], value="short",
                                        label="Word length", elem_id="practice_length_in")
                    p_speed = gr.Slider(0.5, 1.5, value=1.0, step=0.05, label="Signing speed",
                                        info="how fast the avatar signs (the player's speed buttons slow it further)",
                                        elem_id="practice_speed_in")
                    p_view = gr.Dropdown(VIEW_CHOICES, value="hands", label="View", elem_id="practice_view_in")
                    p_left = gr.Checkbox(value=False, label="Left-handed signer", info=LEFT_HANDED_INFO,
                                         elem_id="practice_left_in")
                    p_new = gr.Button("New word", variant="primary", elem_id="practice_new_btn")
                    p_answer = gr.Textbox(label="What did you read?", placeholder="type the word",
                                          elem_id="practice_answer_in")
                    p_check = gr.Button("Check", elem_id="practice_check_btn")
                with gr.Column(scale=2):
                    learning_player("practice", "practice_player_out")
                    p_status = gr.Textbox(label="Status", interactive=False, elem_id="practice_status_out")
                    p_feedback = gr.HTML(elem_id="practice_feedback_out")
                    p_score = gr.Markdown(elem_id="practice_score_out")
                    p_video, p_info, _ = _hidden_outputs("practice_", chunks=False)
            p_new.click(H.practice_new, inputs=[p_language, p_length, p_speed, p_view, p_left, practice_state],
                        outputs=[p_video, p_info, p_status, p_feedback, practice_state], api_name="practice_new")
            check_args = dict(fn=H.practice_check, inputs=[p_answer, practice_state],
                              outputs=[p_feedback, p_score, p_info, practice_state])
            p_check.click(**check_args, api_name="practice_check")
            p_answer.submit(**check_args, api_name=False)
            connect("practice", info=p_info, video=p_video)

        with gr.Tab("Segment", id="seg"):
            gr.Markdown("FAST sign segmentation: every frame is tagged outside (0), sign onset (2) or inside (1).")
            with gr.Row():
                with gr.Column(scale=1):
                    seg_file = gr.File(label="PoseSequence .npz or LMDB data.mdb", file_types=[".npz", ".mdb"],
                                       type="filepath", elem_id="seg_file")
                    seg_clip = gr.Textbox(label="Clip id (LMDB only; empty: first clip)")
                    seg_policy = gr.Dropdown(H.keyframe_policies(), value="onset_middle_offset",
                                             label="Keyframe policy")
                    seg_go = gr.Button("Segment", variant="primary", elem_id="seg_btn")
                with gr.Column(scale=2):
                    seg_plot = gr.Plot(label="FAST tags")
                    seg_table = gr.Dataframe(headers=["sign", "start", "end", "start (s)", "end (s)"],
                                             type="array", interactive=False, label="Segments")
                    seg_status = gr.Textbox(label="Status", interactive=False, elem_id="seg_status_out")
                    seg_files = gr.File(label="Downloads (ELAN, JSON)", file_count="multiple", interactive=False)
            seg_go.click(H.segment, inputs=[seg_file, seg_clip, seg_policy],
                         outputs=[seg_plot, seg_table, seg_files, seg_status], api_name="segment")
    return demo


def launch_kwargs(concurrency: int = 2, max_queue: int = 32) -> dict:
    """Queue and launch settings shared by the CLI and the Space."""
    return {
        "queue": {"default_concurrency_limit": concurrency, "max_size": max_queue},
        "launch": {"max_file_size": f"{H.MAX_UPLOAD_MB}mb", "show_error": False,
                   "theme": gr.themes.Soft(), "footer_links": ["gradio", "settings"],
                   "app_kwargs": {"exception_handlers": exception_handlers()}},
    }


def configure_threads(threads: int | None = None) -> int:
    """Set torch's intra-op threads for the server and return the number.

    Default: 1 on a machine without CUDA, where the OpenGL renderer's rasterizer threads and the
    video encoder need the other cores (measured: one torch thread gives the shortest text-to-mp4
    time on a 2-core CPU, and generation is no slower); torch's own choice with CUDA.
    """
    import torch

    if threads is None and not torch.cuda.is_available():
        threads = 1
    if threads is not None:
        if threads < 1:
            raise ValueError(f"threads must be >= 1, got {threads}")
        torch.set_num_threads(threads)
    return torch.get_num_threads()


def warm_up(model: str | None = None) -> float | None:
    """One small text-to-sign request, so that the first visitor does not wait while the model, the
    body, the avatar, the renderer's shaders and the plotting fonts load (several seconds on a CPU),
    then every render thread's OpenGL context (:func:`demo.handlers.warm_render_threads`) and the sign
    lexicons (:func:`warm_lexicons`).

    Returns the seconds it took, or None when it failed (logged; the demo works regardless).
    """
    t0 = time.perf_counter()
    try:
        for _ in H.text_to_sign("hi", "ASL", model or H.BUILTIN, 2, H.DEFAULT_GUIDANCE, 0, 1.0, "front", "auto", -1,
                                progress=None):
            pass
        H.warm_render_threads()
        warm_lexicons()
    except Exception as e:  # noqa: BLE001 - a failed warm-up must not stop the server
        logging.getLogger(__name__).warning("demo warm-up failed: %s", e)
        return None
    return time.perf_counter() - t0


def warm_lexicons() -> None:
    """Load the sign lexicons (DSGS: about 1,360 signs and the German lemmatizer) and the signs of their
    examples, from the disk cache of animated signs or animated once. Not the whole lexicon: that is
    about 3 CPU minutes, which would slow the first visitors' requests on a small machine (and a
    Space's disk is often new at each start); ``signspark cache warm`` does it ahead of time."""
    from signspark.signs.languages import LANGUAGES
    from signspark.signs.precompute import warm_examples

    for code, record in LANGUAGES.items():
        if record.lexicons:
            warm_examples(code)


def start_warm_up(model: str | None = None) -> threading.Thread:
    """:func:`warm_up` in a background thread (the server starts answering at once)."""
    thread = threading.Thread(target=warm_up, args=(model,), name="demo-warm-up", daemon=True)
    thread.start()
    return thread


def serve(host: str = "127.0.0.1", port: int = 7860, concurrency: int = 2, model: str | None = None,
          share: bool = False, threads: int | None = None, warm: bool = True, allow_models=(),
          any_model: bool = False) -> None:
    """Start the demo server and block (see :mod:`demo.command` for the options)."""
    demo = build_demo(model, allow_models=allow_models, any_model=any_model)  # bad model options: refused first
    configure_threads(threads)
    if warm:
        start_warm_up()  # the built-in model: cheap, and it warms the body, avatar, renderer and fonts for all
    kw = launch_kwargs(concurrency=concurrency)
    demo.queue(**kw["queue"]).launch(server_name=host, server_port=port, share=share, **kw["launch"])
